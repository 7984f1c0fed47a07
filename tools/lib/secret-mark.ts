/** How every secret value appears in a plan (DESIGN §5); its own module so the diff loads no SDK. */
export const SECRET_MARK = "[secret]";
