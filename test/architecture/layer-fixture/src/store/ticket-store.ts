export const storeValue = 1;
