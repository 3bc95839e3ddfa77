import { requestContext, scopeAllows } from '@ecert/common';
import type { SealUsePrincipals } from '@ecert/contracts';
import type { Actor } from './document-actor';
import type { SealUseRuleEntity } from './document.entities';

/**
 * Who may do what with a seal (第十四条, 第十六条), in one place:
 * - the unit's **administrator** is whoever holds `seals:manage-use` with the seal's region in
 *   scope: the HRSS business system that serves the unit (a client granted it) or the office's
 *   staff (city_reviewer, province_approver, admin). Units have no accounts of their own here;
 *   the systems and offices that act for them do.
 * - the rule's **users** may ask to use the seal and seal with an approved request;
 * - the rule's **approvers** decide requests; a rule naming none leaves that to the administrators.
 * Nobody approves their own request.
 */
export function isAdministrator(actor: Actor, sealRegion: string): boolean {
  return actor.holds('seals:manage-use') && scopeAllows(requestContext.getStore(), sealRegion);
}

export function usersOf(rule: SealUseRuleEntity): SealUsePrincipals {
  return { staffIds: rule.userStaffIds, clientIds: rule.userClientIds };
}

export function approversOf(rule: SealUseRuleEntity): SealUsePrincipals {
  return { staffIds: rule.approverStaffIds, clientIds: rule.approverClientIds };
}

export function mayUse(actor: Actor, rule: SealUseRuleEntity | null): boolean {
  return !!rule && actor.isAny(usersOf(rule));
}

export function mayDecide(actor: Actor, rule: SealUseRuleEntity | null, sealRegion: string): boolean {
  if (!rule) return false;
  const approvers = approversOf(rule);
  if (approvers.staffIds.length || approvers.clientIds.length) return actor.isAny(approvers);
  return isAdministrator(actor, sealRegion);
}
