/** The host's plugin contract, as the host documents it. */
export interface Formatter {
  format(text: string): string;
  /** Lower runs first (the host helpers' `order`). */
  order?: number;
}

const trim: Formatter = {
  order: -1,
  format: (text) => text.replace(/\s+/g, ' ').trim(),
};

export default trim;
