// What a server action answers: data, or an expected failure the form can show (never a throw).
// In lib/ so that components can type the actions pages hand them without importing app/.

export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; field?: string } };

/** A server action as a component receives it (a prop from the page that imports the action). */
export type ServerAction<Input, T> = (input: Input) => Promise<ActionResult<T>>;
