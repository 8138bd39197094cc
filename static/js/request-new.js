// New request: show the options of the chosen key source only. Without JavaScript both
// sections stay visible, each under its own heading.
import { enableCopyButtons } from "./copy.js";

enableCopyButtons();

const radios = document.querySelectorAll("input[name=key_source]");
const sections = document.querySelectorAll("section.option[data-source]");
const update = () => {
  const chosen = document.querySelector("input[name=key_source]:checked")?.value || "server";
  for (const section of sections) section.hidden = section.dataset.source !== chosen;
};
for (const radio of radios) radio.addEventListener("change", update);
update();
