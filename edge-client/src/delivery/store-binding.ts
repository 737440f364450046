/**
 * The store binding a store gateway enforces, and a lane behind it checks at intake: a
 * detection or an outcome names the gateway's store, and an incident names it or no store.
 * The lane checks first so that an event for another store is refused to its caller at `send`
 * (a clear 400) rather than spooled: the gateway would refuse it for good (403), and, since a
 * lane resends a refused request whole, it would hold back every later event of the lane.
 */
export function namesOtherStore(
  event: Readonly<Record<string, unknown>>,
  storeId: string,
): boolean {
  const namesStore = event.type === 'detection' || event.type === 'detection_outcome';
  return (namesStore || event.storeId !== undefined) && event.storeId !== storeId;
}
