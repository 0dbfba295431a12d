export const budgetValue = 1;
