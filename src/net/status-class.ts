// Net: the status class metrics label HTTP answers with (the backend's, a partner's, ours).

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'other'

/** `2xx` for 204; `other` outside 100-599 (0: no answer at all). */
export function statusClassOf(status: number): StatusClass {
  return status >= 100 && status < 600 ? (`${Math.floor(status / 100)}xx` as StatusClass) : 'other'
}
