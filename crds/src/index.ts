export const component = 'crds';
