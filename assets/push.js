// Subscribes this browser to Web Push for the signed-in person: registers the service
// worker, asks for permission, and posts the subscription to /api/push/subscription.
// Reports the outcome in the element #push-result (a live region).
window.digihelsePush = async function () {
  const out = document.getElementById("push-result");
  const say = (text) => { if (out) out.textContent = text; };
  const texts = JSON.parse((out && out.dataset.texts) || "{}");
  try {
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      say(texts.unsupported || "");
      return;
    }
    const keyResponse = await fetch("/api/push/key", {credentials: "same-origin"});
    if (!keyResponse.ok) { say(texts.unavailable || ""); return; }
    const {key} = await keyResponse.json();
    const padded = (key + "===".slice((key.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const registration = await navigator.serviceWorker.register("/push-sw.js");
    const permission = await Notification.requestPermission();
    if (permission !== "granted") { say(texts.denied || ""); return; }
    const subscription = await registration.pushManager.subscribe(
      {userVisibleOnly: true, applicationServerKey: raw});
    const saved = await fetch("/api/push/subscription", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(subscription.toJSON()),
    });
    say(saved.ok ? (texts.done || "") : (texts.failed || ""));
  } catch (e) {
    say(texts.failed || "");
  }
};
