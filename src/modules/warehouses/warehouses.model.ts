/**
 * Warehouses and their storage locations (bins). Stock balances name a location by its code; a location is never
 * removed once created (history refers to it), only deactivated.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { indexNamesForSort } from '../../core/collation';
import { stampedReference } from '../../db/reference-cache';
import { ownedByOrganisation } from '../access';
import { REGIONS, type Region } from './regions';

export interface StorageLocation {
  code: string;
  name: string;
  active: boolean;
}

export interface WarehouseRecord {
  _id: Types.ObjectId;
  /** The organisation that runs the warehouse and owns its bins, balances and ledger. */
  organisationId: Types.ObjectId;
  code: string;
  name: string;
  region: Region;
  city: string;
  address: string;
  locations: StorageLocation[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const warehouseSchema = new Schema<WarehouseRecord>(
  {
    code: { type: String, required: true },
    name: { type: String, required: true },
    region: { type: String, enum: REGIONS, required: true },
    city: { type: String, required: true },
    address: { type: String, default: '' },
    locations: [
      {
        _id: false,
        code: { type: String, required: true },
        name: { type: String, default: '' },
        active: { type: Boolean, default: true },
      },
    ],
    active: { type: Boolean, default: true },
  },
  { collection: 'warehouses', timestamps: true, versionKey: false },
);

warehouseSchema.plugin(ownedByOrganisation);
// Cached by the stock hot path: every change writes a new cache stamp (db/reference-cache.ts).
warehouseSchema.plugin(stampedReference, { name: 'warehouses' });
// A code is unique within its organisation: two organisations may both call their main warehouse AST-01.
warehouseSchema.index({ organisationId: 1, code: 1 }, { unique: true });
warehouseSchema.index({ organisationId: 1, region: 1, active: 1 });
indexNamesForSort(warehouseSchema, () => ({ organisationId: 1, name: 1, _id: 1 }));

export const Warehouse =
  (mongoose.models.Warehouse as mongoose.Model<WarehouseRecord> | undefined) ??
  mongoose.model<WarehouseRecord>('Warehouse', warehouseSchema);
