import type { CertificateEventData, CertificateRenewalDueData } from '@ecert/contracts';

/** Events that e-mail the handler of the certificate's application. */
export const MAIL_EVENT_TYPES = ['certificate.renewal_due', 'certificate.expired'] as const;
export type MailEventType = (typeof MAIL_EVENT_TYPES)[number];

export function isMailEvent(type: string): type is MailEventType {
  return (MAIL_EVENT_TYPES as readonly string[]).includes(type);
}

const day = (iso: string) => iso.slice(0, 10);

/** The reminder's subject and text (Chinese first; the handler works in Chinese). */
export function reminderMail(type: MailEventType, data: CertificateEventData, contact: { name: string; unitName: string }): { subject: string; text: string } {
  if (type === 'certificate.renewal_due') {
    const opens = (data as CertificateRenewalDueData).windowOpensOn ?? day(new Date().toISOString());
    return {
      subject: `【数字证书续期提醒】证书 ${data.serial} 将于 ${day(data.notAfter)} 到期`,
      text: [
        `${contact.name}，您好：`,
        ``,
        `${contact.unitName}（统一社会信用代码 ${data.uscc}，社保账号 ${data.accountNo}）的数字证书 ${data.serial} 将于 ${day(data.notAfter)} 到期。`,
        `自 ${opens} 起可办理续期，请在到期前提交续期申请，以免影响业务办理。`,
        ``,
        `Certificate ${data.serial} expires on ${day(data.notAfter)}; renewal is open from ${opens}.`,
      ].join('\n'),
    };
  }
  return {
    subject: `【数字证书到期通知】证书 ${data.serial} 已于 ${day(data.notAfter)} 到期`,
    text: [
      `${contact.name}，您好：`,
      ``,
      `${contact.unitName}（统一社会信用代码 ${data.uscc}，社保账号 ${data.accountNo}）的数字证书 ${data.serial} 已于 ${day(data.notAfter)} 到期，不能再用于签名和登录。`,
      `如需继续使用，请申请新证书。`,
      ``,
      `Certificate ${data.serial} expired on ${day(data.notAfter)}.`,
    ].join('\n'),
  };
}
