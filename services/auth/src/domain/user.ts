export type Gender = 'male' | 'female';
export const GENDERS: readonly Gender[] = ['male', 'female'];
