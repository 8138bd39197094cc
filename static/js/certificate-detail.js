// Certificate page: copy button for the openssl command; renewal options follow the choice.
import { enableCopyButtons } from "./copy.js";

enableCopyButtons();

const renew = document.getElementById("renew");
if (renew) {
  const csrFields = ["id_csr_pem", "id_csr_file"].map((id) => document.getElementById(id)?.closest(".field"));
  const keyType = document.getElementById("id_key_type")?.closest(".field");
  const update = () => {
    const mode = renew.querySelector("input[name=mode]:checked")?.value || "new";
    for (const field of csrFields) if (field) field.hidden = mode !== "upload";
    if (keyType) keyType.hidden = mode !== "new";
  };
  renew.addEventListener("change", update);
  update();
}
