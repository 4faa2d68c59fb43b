export const upper = { format: (text) => text.toUpperCase() };
