export const brackets = { order: 1, format: (text) => `[${text}]` };
