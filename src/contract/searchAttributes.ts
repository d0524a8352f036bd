// Custom search attributes: how ops filter dispatches in the Web UI and how an inbound SMS finds
// the dispatch it answers. Registered wherever the product starts or configures a server.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DispatchStatusKey = defineSearchAttributeKey('DispatchStatus', SearchAttributeType.KEYWORD);
export const DispatchUrgencyKey = defineSearchAttributeKey('DispatchUrgency', SearchAttributeType.KEYWORD);
export const DispatchPagedPhonesKey = defineSearchAttributeKey('DispatchPagedPhones', SearchAttributeType.KEYWORD_LIST);
export const DispatchReplyCodeKey = defineSearchAttributeKey('DispatchReplyCode', SearchAttributeType.KEYWORD);
export const DispatchTechnicianKey = defineSearchAttributeKey('DispatchTechnician', SearchAttributeType.KEYWORD);
export const DispatchCallerPhoneKey = defineSearchAttributeKey('DispatchCallerPhone', SearchAttributeType.KEYWORD);

/** Name → CLI type, for `temporal server start-dev --search-attribute` and `temporal operator search-attribute create`. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'KeywordList'> = {
  [DispatchStatusKey.name]: 'Keyword',
  [DispatchUrgencyKey.name]: 'Keyword',
  [DispatchPagedPhonesKey.name]: 'KeywordList',
  [DispatchReplyCodeKey.name]: 'Keyword',
  [DispatchTechnicianKey.name]: 'Keyword',
  [DispatchCallerPhoneKey.name]: 'Keyword',
};
