/**
 * The item catalog. Quantities that belong to an item (pack sizes, kit components) are integers of the item's
 * sub-unit (see units.ts); weight is stored in grams per base unit and volume in cm³ per base unit, both integers,
 * so totals never drift.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { stampedReference } from '../../db/reference-cache';
import { BASE_UNITS, type Pack } from './units';

export const ITEM_CATEGORIES = [
  'food',
  'water',
  'medicine',
  'hygiene',
  'clothing',
  'bedding',
  'furniture',
  'shelter',
  'heating',
  'education',
  'other',
] as const;
export type ItemCategory = (typeof ITEM_CATEGORIES)[number];

export interface LocalizedName {
  kk?: string;
  ru?: string;
  en?: string;
}

export interface KitComponent {
  itemId: Types.ObjectId;
  /** Sub-units of the component item in one kit. */
  quantity: number;
}

export interface ItemRecord {
  _id: Types.ObjectId;
  sku: string;
  name: LocalizedName;
  category: ItemCategory;
  baseUnit: string;
  packs: Pack[];
  /** Grams per base unit (1000 for a kg item); null when unknown. */
  weightGramsPerUnit: number | null;
  /** Cubic centimetres per base unit; null when unknown. */
  volumeCm3PerUnit: number | null;
  lotTracked: boolean;
  expiryTracked: boolean;
  /** Harmonized System code for customs documents: 6, 8 or 10 digits (the EAEU's TN VED uses 10). */
  hsCode: string | null;
  /** ISO 3166-1 alpha-2 country the goods were made in. */
  originCountry: string | null;
  /** Value of one base unit for customs purposes, in minor units of `currency`. */
  unitValue: { amountMinor: number; currency: string } | null;
  components: KitComponent[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const itemSchema = new Schema<ItemRecord>(
  {
    sku: { type: String, required: true, trim: true },
    name: {
      kk: { type: String },
      ru: { type: String },
      en: { type: String },
    },
    category: { type: String, enum: ITEM_CATEGORIES, required: true },
    baseUnit: { type: String, enum: BASE_UNITS, required: true },
    packs: [
      {
        _id: false,
        unit: { type: String, required: true },
        quantity: { type: String, required: true },
        of: { type: String, required: true },
        subUnits: { type: Number, required: true },
      },
    ],
    weightGramsPerUnit: { type: Number, default: null },
    volumeCm3PerUnit: { type: Number, default: null },
    lotTracked: { type: Boolean, default: false },
    expiryTracked: { type: Boolean, default: false },
    hsCode: { type: String, default: null },
    originCountry: { type: String, default: null },
    unitValue: {
      type: new Schema(
        { amountMinor: { type: Number, required: true }, currency: { type: String, required: true } },
        {
          _id: false,
        },
      ),
      default: null,
    },
    components: [
      {
        _id: false,
        itemId: { type: Schema.Types.ObjectId, required: true },
        quantity: { type: Number, required: true },
      },
    ],
    active: { type: Boolean, default: true },
  },
  { collection: 'items', timestamps: true, versionKey: false },
);

itemSchema.index({ sku: 1 }, { unique: true });
// Cached by the stock hot path: every change writes a new cache stamp (db/reference-cache.ts).
itemSchema.plugin(stampedReference, { name: 'items' });
itemSchema.index({ category: 1, active: 1 });

export const Item =
  (mongoose.models.Item as mongoose.Model<ItemRecord> | undefined) ?? mongoose.model<ItemRecord>('Item', itemSchema);
