// New request: show the options of the chosen key source only. Without JavaScript every
// section stays visible, each under its own heading.
import { enableCopyButtons } from "./copy.js";
import { setUpKeygen } from "./keygen.js";

enableCopyButtons();

const form = document.querySelector("form[action$='/requests/new/']");
const chosen = () => document.querySelector("input[name=key_source]:checked")?.value || "server";
const radios = document.querySelectorAll("input[name=key_source]");
const sections = document.querySelectorAll("section.option[data-source]");
const update = () => {
  for (const section of sections) section.hidden = !section.dataset.source.split(" ").includes(chosen());
};
for (const radio of radios) radio.addEventListener("change", update);
update();

const SUBJECT = ["common_name", "given_name", "surname", "organization", "organizational_unit", "country", "state_or_province", "locality"];
setUpKeygen(form, {
  active: () => chosen() === "browser",
  email: () => form.elements.email.value.trim(),
  subject: () => Object.fromEntries(SUBJECT.map((name) => [name, form.elements[name]?.value || ""])),
});
