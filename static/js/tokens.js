// API tokens: copy button for the token shown once.
import { enableCopyButtons } from "./copy.js";

enableCopyButtons();
