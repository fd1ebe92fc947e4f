// Passkeys (WebAuthn) for DigiHelse: the browser's side of the ceremonies the server runs
// under /auth/passkey/ (digihelse/http/passkey.py). A button with data-passkey="activate",
// "add" or "login" starts one; what it says goes into #passkey-message, in the page's words
// (hidden #passkey-text-* elements, or the server's message). No library: the options come
// as WebAuthn JSON and only the binary fields are turned into bytes and back.
(function () {
  "use strict";

  function toBytes(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = b64 + "===".slice((b64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function toText(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.user.id = toBytes(o.user.id);
    (o.excludeCredentials || []).forEach((c) => { c.id = toBytes(c.id); });
    return o;
  }

  function requestOptions(o) {
    o.challenge = toBytes(o.challenge);
    (o.allowCredentials || []).forEach((c) => { c.id = toBytes(c.id); });
    return o;
  }

  function registrationJSON(cred) {
    const r = cred.response;
    return {
      id: cred.id, rawId: toText(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: {
        clientDataJSON: toText(r.clientDataJSON),
        attestationObject: toText(r.attestationObject),
        transports: r.getTransports ? r.getTransports() : [],
      },
    };
  }

  function assertionJSON(cred) {
    const r = cred.response;
    return {
      id: cred.id, rawId: toText(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: {
        clientDataJSON: toText(r.clientDataJSON),
        authenticatorData: toText(r.authenticatorData),
        signature: toText(r.signature),
        userHandle: r.userHandle ? toText(r.userHandle) : undefined,
      },
    };
  }

  function words(key) {
    const el = document.getElementById("passkey-text-" + key);
    return el ? el.textContent : "";
  }

  function say(text, problem) {
    const box = document.getElementById("passkey-message");
    if (!box) return;
    box.textContent = text;
    box.dataset.state = problem ? "problem" : "working";
  }

  class Refused extends Error {}

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) throw new Refused(data.message || words("failed"));
    return data;
  }

  async function ceremony(kind, body) {
    if (!window.PublicKeyCredential || !navigator.credentials) {
      say(words("unsupported"), true);
      return;
    }
    say(words("working"), false);
    const base = "/auth/passkey/" + kind;
    const options = await post(base + "/options", body);
    let credential;
    try {
      credential = kind === "login"
        ? await navigator.credentials.get({ publicKey: requestOptions(options) })
        : await navigator.credentials.create({ publicKey: creationOptions(options) });
    } catch (e) {
      say(words("cancelled"), true);
      return;
    }
    const json = kind === "login" ? assertionJSON(credential) : registrationJSON(credential);
    const done = await post(base + "/verify", { credential: json });
    try { sessionStorage.clear(); } catch (e) { /* a fresh tab token for the new session */ }
    window.location.assign(done.next || "/hjem");
  }

  let busy = false;

  async function start(kind) {
    if (busy) return;
    busy = true;
    try {
      let body = {};
      if (kind === "activate") {
        const input = document.getElementById("activation-code");
        body = { code: input ? input.value : "" };
      } else if (kind === "login") {
        const flow = document.getElementById("passkey-flow");
        body = { next: (flow && flow.dataset.next) || "/hjem" };
      }
      await ceremony(kind, body);
    } catch (e) {
      say(e instanceof Refused ? e.message : words("failed"), true);
    } finally {
      busy = false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-passkey]");
    if (!button) return;
    event.preventDefault();
    start(button.dataset.passkey);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target && event.target.id === "activation-code") {
      event.preventDefault();
      start("activate");
    }
  });

  // /aktiver?kode=ABCD-EFGH (the nurse's QR code): fill the field once it is on the page.
  const fromLink = new URLSearchParams(window.location.search).get("kode");
  if (fromLink && /^[A-Za-z0-9-]{8,9}$/.test(fromLink)) {
    const fill = () => {
      const input = document.getElementById("activation-code");
      if (!input) return false;
      if (!input.value) input.value = fromLink.toUpperCase();
      return true;
    };
    if (!fill()) {
      const watch = new MutationObserver(() => { if (fill()) watch.disconnect(); });
      watch.observe(document.documentElement, { childList: true, subtree: true });
      setTimeout(() => watch.disconnect(), 30000);
    }
  }

  window.digihelsePasskey = { start };
})();
