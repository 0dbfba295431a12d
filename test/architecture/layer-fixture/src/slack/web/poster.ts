export const posterValue = 1;
