// The one visibility rule of the read side (DESIGN.md §9): a caller sees public sightings and the
// sightings in their own feeds, never another user's private ones. Every read query uses this.

/** SQL predicate over a sightings alias; `$param` holds the caller's user id. */
export function visibleSightings(alias: string, param: string): string {
  return `(${alias}.is_public OR ${alias}.reporter_id = ${param}::uuid)`;
}

export interface FeedRef {
  slug: string;
  /** The owner's user id. */
  owner: string;
}
