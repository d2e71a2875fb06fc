// Visit check-in: ask the browser for the position (Geolocation API) and put it into the log form's hidden
// fields. The check-in time is the server's clock. If the user refuses or there is no fix, the form is still
// sent and the visit is saved with "no location". No inline script: the content security policy forbids it.
(function () {
  var form = document.querySelector("form[data-checkin]");
  if (!form) { return; }
  var status = form.querySelector("[data-checkin-status]");
  var retry = form.querySelector("[data-checkin-retry]");
  var fields = {
    latitude: form.elements.namedItem("latitude"),
    longitude: form.elements.namedItem("longitude"),
    accuracy: form.elements.namedItem("accuracy")
  };

  function say(key, accuracy) {
    if (!status) { return; }
    var text = status.getAttribute("data-text-" + key) || "";
    status.textContent = text.replace("{accuracy}", accuracy === undefined ? "" : String(accuracy));
    status.setAttribute("data-state", key);
  }

  function clear() {
    Object.keys(fields).forEach(function (name) { if (fields[name]) { fields[name].value = ""; } });
  }

  function locate() {
    if (!("geolocation" in navigator)) { clear(); say("unavailable"); return; }
    say("locating");
    navigator.geolocation.getCurrentPosition(function (position) {
      var c = position.coords;
      if (fields.latitude) { fields.latitude.value = c.latitude.toFixed(6); }
      if (fields.longitude) { fields.longitude.value = c.longitude.toFixed(6); }
      if (fields.accuracy) { fields.accuracy.value = Math.round(c.accuracy); }
      say("located", Math.round(c.accuracy));
    }, function (error) {
      clear();
      say(error && error.code === 1 ? "denied" : "unavailable");
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  }

  if (retry) { retry.addEventListener("click", locate); }
  locate();
})();
