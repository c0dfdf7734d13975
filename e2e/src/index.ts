export const component = 'e2e';
