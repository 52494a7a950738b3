/**
 * Waits until `work` settles (fulfilled or rejected) or `ms` pass, whichever comes first; true
 * when it settled in time. The one timeout race of the code base: the timer is always cleared,
 * so a wait that ended early leaves no timer behind (it would hold the process, and the tests'
 * op sanitizer, until it fired).
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
