// Domain page: copy buttons for the zone snippet and the CAA records.
import { enableCopyButtons } from "./copy.js";

enableCopyButtons();
