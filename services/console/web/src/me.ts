import { createContext, useContext } from 'react';
import type { Me } from './api';

/** The signed-in user, for pages that offer actions only some users may take. */
export const MeContext = createContext<Me>({ name: 'anonymous', signedIn: false, seesNationalIds: true, mayReview: true });
export const useMe = (): Me => useContext(MeContext);

/** Shown on review buttons a user may not press. */
export const NO_REVIEW_RIGHT = 'your token lacks the scope reviews:write';
