// @ts-check
// The dialog that asks for the API token (its markup is in the page frame, layout.tsx).

/**
 * Shows the token dialog and resolves with the token entered; rejects when the person closes
 * it without one (Escape).
 * @param {boolean} refused the token sent last was refused: say so
 * @returns {Promise<string>}
 */
export function askForToken(refused) {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById("token-dialog"));
  const form = /** @type {HTMLFormElement} */ (document.getElementById("token-form"));
  const input = /** @type {HTMLInputElement} */ (document.getElementById("token-input"));
  const refusedNote = /** @type {HTMLElement} */ (document.getElementById("token-refused"));
  return new Promise((resolve, reject) => {
    refusedNote.hidden = !refused;
    input.value = "";
    form.onsubmit = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (token === "") return;
      form.onsubmit = null;
      dialog.oncancel = null;
      dialog.close();
      resolve(token);
    };
    dialog.oncancel = () => {
      form.onsubmit = null;
      dialog.oncancel = null;
      reject(new Error("No API token was given."));
    };
    dialog.showModal();
    input.focus();
  });
}
