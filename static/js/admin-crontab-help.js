// Django admin, periodic task page: says in words when the chosen crontab runs, under the
// crontab field (django-celery-beat does this with an inline script, which CSP blocks).
const crontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);
const select = document.getElementById("id_crontab");
const help = document.querySelector(".field-crontab .help");
const translation = document.querySelector(".field-crontab_translation");

// Through the JavaScript catalog the template loads first; in English if it did not load.
const runs = (words) =>
  typeof interpolate === "function" && typeof gettext === "function"
    ? interpolate(gettext("Runs: %(words)s."), { words }, true)
    : `Runs: ${words}.`;

if (translation) translation.hidden = true;
if (select && help) {
  const original = help.textContent;
  const explain = () => {
    const words = crontabs[select.value];
    help.textContent = words ? `${original} ${runs(words)}` : original;
  };
  select.addEventListener("change", explain);
  explain();
}
