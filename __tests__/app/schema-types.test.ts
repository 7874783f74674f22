// The service's types are derived from its JSON schemas (app/schemas.ts). These checks are made by
// the compiler (`npm run typecheck`, which includes __tests__): expectTypeOf does nothing at run
// time, and a `@ts-expect-error` line that compiles fails the type check.
import Fastify from 'fastify';
import {
  createPetSchema,
  type ErrorBody,
  type FromServiceSchema,
  type ListPetsQuery,
  listPetsSchema,
  type Pet,
  type PetInput,
  type PetPage,
  type PetParams,
  type SchemaTypes,
} from '../../app/schemas';

describe('types derived from the schemas', () => {
  it('a pet has exactly the properties of its schema, the optional ones optional', () => {
    expectTypeOf<Pet>().toEqualTypeOf<{
      petId: string;
      name: string;
      species?: string;
      age?: number;
      tag?: string;
      createdAt: string;
      updatedAt: string;
    }>();
    expectTypeOf<Pet['age']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Pet['createdAt']>().toEqualTypeOf<string>();
  });

  it('a pet input needs a name, and takes nothing its schema does not define', () => {
    expectTypeOf<PetInput>().toEqualTypeOf<{
      name: string;
      species?: string;
      age?: number;
      tag?: string;
      petId?: string;
    }>();
    // @ts-expect-error name is required
    const withoutName: PetInput = { species: 'cat' };
    // @ts-expect-error age is a number (validation does not coerce "5")
    const ageAsText: PetInput = { name: 'Rex', age: '5' };
    // @ts-expect-error additionalProperties: false
    const unknownProperty: PetInput = { name: 'Rex', colour: 'brown' };
    expect([withoutName, ageAsText, unknownProperty]).toHaveLength(3);
  });

  it('params, query, page and error body', () => {
    expectTypeOf<PetParams>().toEqualTypeOf<{ petId: string }>();
    expectTypeOf<ListPetsQuery>().toEqualTypeOf<{ limit?: string; cursor?: string }>();
    expectTypeOf<PetPage>().toEqualTypeOf<{ items: Pet[]; nextCursor: string | null }>();
    expectTypeOf<ErrorBody>().toEqualTypeOf<{ statusCode: number; error: string; message: string }>();
  });

  it('a $ref to a shared schema resolves to its type', () => {
    expectTypeOf<FromServiceSchema<{ $ref: 'PetParams' }>>().toEqualTypeOf<PetParams>();
    expectTypeOf<FromServiceSchema<{ type: 'array'; items: { $ref: 'PetInput' } }>>().toEqualTypeOf<
      PetInput[]
    >();
  });

  it("types a route's request and reply from the schemas it declares", async () => {
    const app = Fastify().withTypeProvider<SchemaTypes>();
    app.post('/petstore/pets/:petId', { schema: createPetSchema }, async (request, reply) => {
      expectTypeOf(request.params).toEqualTypeOf<PetParams>();
      expectTypeOf(request.body).toEqualTypeOf<PetInput>();
      if (request.body.name === '') {
        // @ts-expect-error a 201 is a pet, which has a petId and timestamps
        return reply.code(201).send({ name: request.body.name });
      }
      return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: 'exists' });
    });
    app.get('/petstore/pets', { schema: listPetsSchema }, async (request) => {
      expectTypeOf(request.query).toEqualTypeOf<ListPetsQuery>();
      return { items: [], nextCursor: null };
    });
    await app.ready();
    await app.close();
  });
});
