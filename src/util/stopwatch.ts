// Lap times for staged work: each call returns the milliseconds since the previous one (or since creation).
export function stopwatch(): () => number {
  let t = performance.now();
  return () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return ms;
  };
}
