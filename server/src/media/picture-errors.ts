import { ruleError } from '../domain-error';

/**
 * A picture refused by its checks (picture-check.ts, svg-check.ts): the message is Chinese, as the console
 * shows it to staff as it is, and names what was found; nothing of the picture is stored.
 */
export const PictureRefused = ruleError('INVALID', 'PICTURE_REFUSED');
