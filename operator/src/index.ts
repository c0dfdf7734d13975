export const component = 'operator';
