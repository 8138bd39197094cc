// One error type for everything the browser-key code refuses; `message` is the sentence the
// page shows (through gettext, in the page's language when the catalog loaded), `code` lets page
// scripts and tests tell the cases apart.
export class BrowserKeyError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "BrowserKeyError";
    this.code = code;
  }
}
