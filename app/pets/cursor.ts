// A page cursor is the last petId of the page, base64url-encoded: opaque to clients, so the
// paging scheme (a DynamoDB Scan's ExclusiveStartKey) can change without breaking them.

import { PET_ID_PATTERN } from '../schemas';

const PET_ID = new RegExp(PET_ID_PATTERN);

export function encodeCursor(lastPetId: string): string {
  return Buffer.from(lastPetId, 'utf8').toString('base64url');
}

/** The petId to continue after, or `null` when the text is not a cursor this service made. */
export function decodeCursor(cursor: string): string | null {
  const petId = Buffer.from(cursor, 'base64url').toString('utf8');
  // Re-encoding must give the same text, or the input was not canonical base64url.
  return PET_ID.test(petId) && encodeCursor(petId) === cursor ? petId : null;
}
