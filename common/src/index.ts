export * from './dtypes.js';
export * from './errors.js';
export * from './session.js';
export * from './values.js';
