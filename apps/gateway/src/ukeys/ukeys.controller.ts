import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Subjects,
  type DispatchBatchIdCommand,
  type DispatchBatchView,
  type ImportUkeysResult,
  type UkeyPage,
  type UkeySerialQuery,
  type UkeyTransitionCommand,
  type UkeyView,
} from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { RequiresOperation } from '../access/access.decorators';
import { CreateDispatchBatchDto, ImportUkeysDto, ListUkeysDto, UkeyTransitionDto } from './ukey.dto';
import { DispatchBatchIdPipe } from './dispatch-batch-id.pipe';
import { ProblemCode } from '@ecert/common';
import { ApiProblems, ApiResult } from '../openapi/api-docs.decorators';

/**
 * UKeys: the inventory of the media, their life (the state machine is the cert-service's, which
 * changes a UKey and its certificates together), dispatch batches to the city offices and their
 * receipt there. Collection and the SO PINs are not here: the workflow-service asks for those,
 * carrying out an application, over the bus only.
 */
@ApiTags('ukeys')
@Controller('api/v1/ukeys')
export class UkeysController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('import')
  @ApiOperation({
    summary: '入库 — import a delivery of UKeys into stock',
    description: 'All or nothing. Errors: 400 (field named, e.g. items[2].serial), 409 ukey_exists naming items[i].serial (listed twice or already imported), 403 (officeRegionCode outside your scope).',
  })
  @ApiCreatedResponse({ description: '{ batch, imported }' })
  @ApiResult('ImportUkeysResult')
  @ApiProblems({ 409: [ProblemCode.ukeyExists] })
  @RequiresOperation('ukeys:manage')
  import(@Body() dto: ImportUkeysDto): Promise<ImportUkeysResult> {
    return this.rpc.call(Subjects.cert.ukeyImport, dto, { timeoutMs: 15_000 });
  }

  @Get()
  @ApiOperation({ summary: 'List UKeys (paginated) by state, office region, batch or unit; only those of your scope' })
  @ApiResult('UkeyPage')
  @RequiresOperation('ukeys:read')
  list(@Query() q: ListUkeysDto): Promise<UkeyPage> {
    return this.rpc.call(Subjects.cert.ukeyList, q);
  }

  @Post('dispatch-batches')
  @ApiOperation({
    summary: '寄送 — send initialised UKeys in one batch to a city office',
    description: 'All or nothing. Errors: 400 (officeRegionCode not a city; serials[i]), 403 (office or a UKey outside your scope), 404 (serials[i] unknown), 409 illegal_state_transition (serials[i] not initialised), 422 ukey_office_mismatch (its unit is not served by that office).',
  })
  @ApiCreatedResponse({ description: 'The batch' })
  @ApiResult('DispatchBatchView')
  @ApiProblems({ 404: [ProblemCode.ukeyNotFound], 409: [ProblemCode.illegalTransition], 422: [ProblemCode.ukeyOfficeMismatch] })
  @RequiresOperation('ukeys:dispatch')
  createDispatchBatch(@Body() dto: CreateDispatchBatchDto): Promise<DispatchBatchView> {
    return this.rpc.call(Subjects.cert.dispatchCreate, dto, { timeoutMs: 15_000 });
  }

  @Get('dispatch-batches/:id')
  @ApiOperation({ summary: 'One dispatch batch' })
  @ApiResult('DispatchBatchView')
  @ApiProblems({ 404: [ProblemCode.dispatchBatchNotFound] })
  @RequiresOperation('ukeys:read')
  getDispatchBatch(@Param('id', DispatchBatchIdPipe) id: string): Promise<DispatchBatchView> {
    return this.rpc.call(Subjects.cert.dispatchGet, { batchId: id } satisfies DispatchBatchIdCommand);
  }

  @Post('dispatch-batches/:id/receipt')
  @HttpCode(200)
  @ApiOperation({
    summary: '签收 — the city office received the batch: its UKeys are at the office',
    description: 'By a staff member of that office. Errors: 403 (another office, or not staff), 404, 409 dispatch_batch_already_received.',
  })
  @ApiResult('DispatchBatchView')
  @ApiProblems({ 404: [ProblemCode.dispatchBatchNotFound], 409: [ProblemCode.dispatchBatchAlreadyReceived] })
  @RequiresOperation('ukeys:dispatch')
  receiveDispatchBatch(@Param('id', DispatchBatchIdPipe) id: string): Promise<DispatchBatchView> {
    return this.rpc.call(Subjects.cert.dispatchReceive, { batchId: id } satisfies DispatchBatchIdCommand, { timeoutMs: 15_000 });
  }

  @Get(':serial')
  @ApiOperation({ summary: 'One UKey with its certificates and its history' })
  @ApiOkResponse({ description: 'The UKey' })
  @ApiResult('UkeyView')
  @ApiProblems({ 404: [ProblemCode.ukeyNotFound] })
  @RequiresOperation('ukeys:read')
  get(@Param('serial') serial: string): Promise<UkeyView> {
    return this.rpc.call(Subjects.cert.ukeyGet, { serial } satisfies UkeySerialQuery);
  }

  @Post(':serial/transitions')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A step of the UKey’s life (挂失, 解挂, 损坏, 注销 …)',
    description:
      'Enforced by the state machine: a step from the wrong state is a 409 illegal_state_transition with from, to and allowed, and nothing changes. report_lost freezes every certificate on the UKey, found unfreezes them, declare_perm_lost revokes them (keyCompromise), terminate revokes those still live. Operations per action (403 naming action): return needs ukeys:return (the city office) or ukeys:manage; the others ukeys:manage, and those that change certificates (report_lost, found, declare_perm_lost, terminate) certificates:manage too.',
  })
  // Checked per action by the cert-service.
  @ApiResult('UkeyView')
  @ApiProblems({
    404: [ProblemCode.ukeyNotFound, ProblemCode.notFound],
    409: [ProblemCode.illegalTransition, ProblemCode.ukeyApplicationMismatch, ProblemCode.ukeyUnitMismatch, ProblemCode.ukeyStateConflict],
  })
  @RequiresOperation('ukeys:read')
  transition(@Param('serial') serial: string, @Body() dto: UkeyTransitionDto): Promise<UkeyView> {
    const cmd: UkeyTransitionCommand = { serial, ...dto };
    return this.rpc.call(Subjects.cert.ukeyTransition, cmd, { timeoutMs: 15_000 });
  }
}
