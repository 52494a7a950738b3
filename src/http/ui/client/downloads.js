// @ts-check
// Download links that also work behind the API token. A plain link cannot send a header, so
// while this tab has a token the file is fetched with it and saved from a blob URL; without a
// token the link is left to the browser, which streams a file of any size to disk.
import { apiFetch, storedToken, toApiError } from "./api.js";
import { errorText, h, showMessage } from "./dom.js";

/**
 * Makes a link (with its `download` file name) download through the API's fetch when needed.
 * @param {HTMLAnchorElement} link
 */
export function downloadWithToken(link) {
  link.addEventListener("click", async (event) => {
    if (storedToken() === null) return;
    event.preventDefault();
    try {
      const res = await apiFetch(link.pathname + link.search);
      if (!res.ok) throw await toApiError(res);
      const url = URL.createObjectURL(await res.blob());
      const save = h("a", { href: url, download: link.getAttribute("download") ?? "" });
      save.hidden = true;
      document.body.append(save);
      save.click();
      save.remove();
      // The browser has the file once the click is handled; the URL can go a little later.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      showMessage(`The download failed: ${errorText(err)}`, "error");
    }
  });
}
