// Copy-to-clipboard buttons: <button class="copy" data-copy="ELEMENT-ID" hidden>.
// The buttons stay hidden without JavaScript; the text is selectable either way.
import { gettext } from "./i18n.js";

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  // http:// outside localhost has no Clipboard API: fall back to a selection and execCommand.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "offscreen";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
}

// One polite live region says "Copied" to screen readers too: a button's changed label alone
// is not announced.
function announcer() {
  let region = document.getElementById("copy-announcer");
  if (!region) {
    region = document.createElement("span");
    region.id = "copy-announcer";
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    document.body.append(region);
  }
  return region;
}

export function enableCopyButtons(root = document) {
  for (const button of root.querySelectorAll("button.copy[data-copy]")) {
    const target = document.getElementById(button.dataset.copy);
    if (!target) continue;
    const label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", () => {
      copyText(target.textContent.trim()).then(
        () => { button.textContent = announcer().textContent = gettext("Copied"); },
        () => { button.textContent = announcer().textContent = gettext("Select and copy by hand"); },
      ).finally(() => {
        setTimeout(() => { button.textContent = label; }, 2000);
      });
    });
  }
}
