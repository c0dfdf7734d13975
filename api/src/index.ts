export const component = 'api';
