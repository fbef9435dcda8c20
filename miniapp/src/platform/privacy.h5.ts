// In a browser nothing asks for WeChat's privacy consent: the address form's consent line says what is collected.

export function watchPrivacyConsent(): void {}

export function usePrivacyRequest(): { waiting: boolean; agree: (buttonId: string) => void; refuse: () => void } {
  return { waiting: false, agree: () => undefined, refuse: () => undefined };
}
