// Message catalogue: every string the learner sees or hears. French is the reference;
// English is used when the host page's <html lang> starts with "en" (or data-lang="en").
// "{n}"-style placeholders are filled by t().

const MESSAGES = {
  fr: {
    launcher: "Une question ?",
    launcherLabel: "Ouvrir l’assistant Mentor",
    title: "Assistant Mentor",
    subtitle: "Réponses automatiques tirées de vos cours et de la FAQ, avec leurs sources.",
    close: "Fermer",
    closeLabel: "Fermer l’assistant",
    newConversation: "Nouvelle conversation",
    conversationLabel: "Conversation avec l’assistant",
    welcome:
      "Bonjour ! Je réponds à vos questions sur ce cours et sur l’utilisation de Mentor, en citant mes sources.",
    suggestionsLabel: "Exemples de questions",
    suggestions: [
      "Comment télécharger mon attestation ?",
      "Comment contacter le support ?",
    ],
    you: "Vous",
    assistant: "Assistant",
    inputLabel: "Votre question",
    inputHint: "Entrée pour envoyer, Maj + Entrée pour aller à la ligne.",
    placeholder: "Posez votre question…",
    send: "Envoyer",
    disclaimer:
      "Assistant automatisé : vérifiez les réponses dans les sources citées. Ne saisissez pas de données personnelles.",
    thinking: "L’assistant rédige sa réponse…",
    sources: "Sources",
    related: "À consulter",
    nearby: "Questions proches",
    askThis: "Poser cette question",
    askThisLabel: "Poser la question « {title} »",
    sourceLabel: "Source {n} : {title}",
    newWindow: "(nouvelle fenêtre)",
    kinds: { course: "Cours", faq: "FAQ", kit: "Kit Mentor", page: "Page" },
    page: "page {n}",
    feedbackQuestion: "Cette réponse vous a-t-elle aidé ?",
    yes: "Oui",
    no: "Non",
    commentLabel: "Votre commentaire (facultatif)",
    commentSend: "Envoyer l’avis",
    feedbackThanks: "Merci pour votre avis.",
    feedbackError: "Votre avis n’a pas pu être enregistré.",
    contactSupport: "Contacter le support",
    supportPage: "Page de contact du support",
    ticketCreated:
      "Votre demande a été transmise à l’équipe support. Numéro de ticket : {ticket}.",
    ticketError: "La demande n’a pas pu être transmise. Utilisez la page de contact du support.",
    escalationDefault: "L’équipe support de Mentor peut vous aider.",
    hedged: "Réponse à vérifier : elle ne correspond peut-être pas exactement à votre question.",
    retry: "Réessayer",
    reload: "Recharger la page",
    errorGeneric:
      "L’assistant n’a pas pu répondre pour le moment. Réessayez dans un instant.",
    errorOffline:
      "Vous semblez hors ligne. Vérifiez votre connexion à Internet, puis réessayez.",
    errorUnreachable:
      "Impossible de joindre l’assistant. Vérifiez votre connexion, puis réessayez.",
    errorRateLimited:
      "Vous avez posé beaucoup de questions en peu de temps. Vous pourrez réessayer dans {n} s.",
    errorRateLimitedOver: "Vous pouvez de nouveau poser une question.",
    errorExpired:
      "Votre session a expiré. Rechargez la page du cours pour continuer à utiliser l’assistant.",
    errorNoToken:
      "L’assistant n’est pas disponible sur cette page : ouvrez-le depuis votre cours sur Mentor.",
    errorStream: "La réponse a été interrompue. Réessayez dans un instant.",
    announceAnswer: "Réponse de l’assistant : {text}",
    announceSources: "{n} source(s) citée(s).",
    announceNew: "Nouvelle conversation commencée.",
    announceOpen: "Assistant ouvert.",
  },
  en: {
    launcher: "Any questions?",
    launcherLabel: "Open the Mentor assistant",
    title: "Mentor assistant",
    subtitle: "Automatic answers drawn from your courses and the FAQ, with their sources.",
    close: "Close",
    closeLabel: "Close the assistant",
    newConversation: "New conversation",
    conversationLabel: "Conversation with the assistant",
    welcome:
      "Hello! I answer your questions about this course and about using Mentor, and I cite my sources.",
    suggestionsLabel: "Example questions",
    suggestions: [
      "How do I download my certificate?",
      "How do I contact support?",
    ],
    you: "You",
    assistant: "Assistant",
    inputLabel: "Your question",
    inputHint: "Enter to send, Shift + Enter for a new line.",
    placeholder: "Ask your question…",
    send: "Send",
    disclaimer:
      "Automated assistant: check the answers against the cited sources. Do not enter personal data.",
    thinking: "The assistant is writing its answer…",
    sources: "Sources",
    related: "See also",
    nearby: "Related questions",
    askThis: "Ask this question",
    askThisLabel: "Ask “{title}”",
    sourceLabel: "Source {n}: {title}",
    newWindow: "(new window)",
    kinds: { course: "Course", faq: "FAQ", kit: "Mentor kit", page: "Page" },
    page: "page {n}",
    feedbackQuestion: "Was this answer helpful?",
    yes: "Yes",
    no: "No",
    commentLabel: "Your comment (optional)",
    commentSend: "Send feedback",
    feedbackThanks: "Thank you for your feedback.",
    feedbackError: "Your feedback could not be saved.",
    contactSupport: "Contact support",
    supportPage: "Support contact page",
    ticketCreated: "Your request has been sent to the support team. Ticket number: {ticket}.",
    ticketError: "The request could not be sent. Please use the support contact page.",
    escalationDefault: "The Mentor support team can help you.",
    hedged: "Please check this answer: it may not match your question exactly.",
    retry: "Try again",
    reload: "Reload the page",
    errorGeneric: "The assistant could not answer right now. Try again in a moment.",
    errorOffline: "You seem to be offline. Check your Internet connection, then try again.",
    errorUnreachable: "The assistant cannot be reached. Check your connection, then try again.",
    errorRateLimited:
      "You have asked many questions in a short time. You can try again in {n} s.",
    errorRateLimitedOver: "You can ask a question again.",
    errorExpired:
      "Your session has expired. Reload the course page to keep using the assistant.",
    errorNoToken:
      "The assistant is not available on this page: open it from your course on Mentor.",
    errorStream: "The answer was interrupted. Try again in a moment.",
    announceAnswer: "Assistant's answer: {text}",
    announceSources: "{n} source(s) cited.",
    announceNew: "New conversation started.",
    announceOpen: "Assistant opened.",
  },
};

function pickLanguage(requested) {
  return String(requested || "").toLowerCase().startsWith("en") ? "en" : "fr";
}

function translator(lang) {
  const catalogue = MESSAGES[lang] || MESSAGES.fr;
  return (key, values) => {
    const message = catalogue[key] ?? MESSAGES.fr[key];
    if (typeof message !== "string" || !values) return message;
    return message.replace(/\{(\w+)\}/g, (whole, name) =>
      name in values ? String(values[name]) : whole,
    );
  };
}
