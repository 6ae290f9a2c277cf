// The support desk's pages work without this script; it only adds conveniences:
// the token in the login page's fragment is submitted (and removed from the address), and
// "Copier la réponse" buttons copy the suggested reply. No markup string is ever written.
(() => {
  const live = document.querySelector(".live");
  const say = (text) => {
    if (!live) return;
    live.textContent = "";
    setTimeout(() => {
      live.textContent = text;
    }, 50);
  };

  const form = document.getElementById("login-form");
  if (form && location.hash.length > 1) {
    const token = new URLSearchParams(location.hash.slice(1)).get("token");
    history.replaceState(null, "", location.pathname + location.search);
    if (token) {
      form.elements.namedItem("token").value = token;
      form.submit();
    }
  }

  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        say("Réponse copiée dans le presse-papiers.");
      } catch {
        field.focus();
        field.select();
        say("Copie impossible : le texte est sélectionné, copiez-le avec Ctrl+C.");
      }
    });
  }
})();
