// New request. On the form: show the options of the chosen key source only (without
// JavaScript every section stays visible, each under its own heading) and tell the server that
// scripts run here, which a key made in this browser needs. On the review: make that key, and
// its CSR when "Create request" is pressed (not "Change").
import { enableCopyButtons } from "./copy.js";
import { setUpKeygen } from "./keygen.js";

enableCopyButtons();

const form = document.querySelector("form[data-request-form]");
if (form) {
  form.elements.scripts.value = "on";
  for (const note of form.querySelectorAll("[data-needs-js]")) note.hidden = true;
  const chosen = () => form.querySelector("input[name=key_source]:checked")?.value || "server";
  const sections = form.querySelectorAll("section.option[data-source]");
  const update = () => {
    for (const section of sections) section.hidden = !section.dataset.source.split(" ").includes(chosen());
  };
  for (const radio of form.querySelectorAll("input[name=key_source]")) radio.addEventListener("change", update);
  update();
}

const review = document.querySelector("form[data-review]");
if (review) {
  const SUBJECT = ["common_name", "given_name", "surname", "organization", "organizational_unit", "country", "state_or_province", "locality"];
  setUpKeygen(review, {
    active: (event) => event?.submitter?.value === "create",
    email: () => review.elements.email.value.trim(),
    subject: () => Object.fromEntries(SUBJECT.map((name) => [name, review.elements[name]?.value || ""])),
  });
}
