import type { GraphClient } from './client.js'
import { pages } from './paginate.js'

/**
 * SKU ID (lower case) → part number (`SPE_E3`, …) of every subscription the tenant has
 * (`subscribedSkus`, subscribedsku-list: LicenseAssignment.Read.All; the page lists no query
 * options, so none is sent). Read once before the user pages; a failure throws, so licences are
 * never silently reported as unknown.
 */
export async function skuPartNumbers(graph: GraphClient): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  for await (const page of pages<{ skuId?: string; skuPartNumber?: string }>(
    graph,
    'subscribedSkus',
    { resource: 'subscribedSkus', what: 'subscribed SKUs (licences)' }
  )) {
    for (const sku of page) {
      if (sku.skuId && sku.skuPartNumber) names.set(sku.skuId.toLowerCase(), sku.skuPartNumber)
    }
  }
  return names
}
