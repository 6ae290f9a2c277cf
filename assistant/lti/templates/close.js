// Dynamic registration is done: the platform's page closes the frame (or window) it opened.
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
