// DigiHelse's service worker: shows "Du har en ny melding i DigiHelse" when a Web Push
// arrives (the message itself never travels in it), and opens the messages on a tap.
self.addEventListener("push", (event) => {
  let data = {title: "DigiHelse", body: "Du har en ny melding i DigiHelse"};
  try { data = Object.assign(data, event.data ? event.data.json() : {}); } catch (e) {}
  event.waitUntil(self.registration.showNotification(data.title, {body: data.body}));
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow("/meldinger"));
});
