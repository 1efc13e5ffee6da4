// One bound on waiting: `promise`, or the error `onTimeout` makes once `ms` passed without an answer.
// The timer is cleared either way, so a settled promise leaves nothing behind.
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
