/** The model families the trainer compares (names only: no TF.js import, for the CLI's option parsing). */
export type ModelFamily = 'logistic' | 'mlp' | 'gbdt';

export const MODEL_FAMILIES: readonly ModelFamily[] = ['logistic', 'mlp', 'gbdt'];
