// Request page: copy buttons for the CSR and the openssl command.
import { enableCopyButtons } from "./copy.js";

enableCopyButtons();
