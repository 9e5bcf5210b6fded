import type { Selectable } from 'kysely';
import type { OrgRole, OrgsTable } from '../../db/types.ts';

export function presentOrg(org: Selectable<OrgsTable>, viewerRole: OrgRole | null) {
  return {
    id: org.id,
    slug: org.slug,
    name: org.name,
    viewerRole,
    billing:
      viewerRole === 'admin'
        ? {
            legalName: org.legal_name,
            addressLine1: org.address_line1,
            addressLine2: org.address_line2,
            postalCode: org.postal_code,
            city: org.city,
            region: org.region,
            country: org.country,
            vatId: org.vat_id,
            poNumberDefault: org.po_number_default,
            billingEmail: org.billing_email,
          }
        : null,
    createdAt: org.created_at.toISOString(),
  };
}
