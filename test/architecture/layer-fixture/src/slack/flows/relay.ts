export const relayValue = 1;
