export const mentionValue = 1;
