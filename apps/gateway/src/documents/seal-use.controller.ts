import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProblemCode } from '@ecert/common';
import {
  DocumentProblemCode as D,
  SealProblemCode,
  Subjects,
  type DecideSealUseRequestCommand,
  type ListSealUseRequestsQuery,
  type Page,
  type PutSealUseRuleCommand,
  type SealUseRequestView,
  type SealUseRuleView,
} from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { RequiresOperation } from '../access/access.decorators';
import { DecideSealUseRequestDto, ListSealUseRequestsDto, PutSealUseRuleDto } from './document.dto';
import { ApiProblems, ApiResult } from '../openapi/api-docs.decorators';

/**
 * 用印管理 (第十四条, 第十六条): the rules of use of a seal, set by the unit's administrator, and
 * the seal-use requests the rule's approvers decide.
 */
@ApiTags('documents')
@Controller('api/v1')
export class SealUseController {
  constructor(private readonly rpc: RpcClient) {}

  @Put('seals/:sealId/use-rule')
  @ApiOperation({
    summary: '用印规则 — who may use the seal, and whether a use needs approval',
    description:
      "The unit's administrator: a holder of seals:manage-use with the seal's region in scope (the HRSS business system serving the unit, or the city/provincial office). Replaces the rule; expectedVersion guards against a concurrent change (409). Users and approvers are staff ids and client ids; no approvers = the administrators decide.",
  })
  @ApiOkResponse({ description: 'The rule with its new version' })
  @ApiResult('SealUseRuleView')
  @ApiProblems({ 404: [SealProblemCode.sealNotFound], 409: [D.ruleVersionConflict] })
  @RequiresOperation('seals:manage-use')
  putRule(@Param('sealId') sealId: string, @Body() dto: PutSealUseRuleDto): Promise<SealUseRuleView> {
    const cmd: PutSealUseRuleCommand = {
      sealId,
      users: { staffIds: dto.users.staffIds ?? [], clientIds: dto.users.clientIds ?? [] },
      approvers: { staffIds: dto.approvers?.staffIds ?? [], clientIds: dto.approvers?.clientIds ?? [] },
      approvalRequired: dto.approvalRequired,
      ...(dto.expectedVersion !== undefined ? { expectedVersion: dto.expectedVersion } : {}),
    };
    return this.rpc.call(Subjects.seal.documentUseRulePut, cmd);
  }

  @Get('seals/:sealId/use-rule')
  @ApiOperation({ summary: "A seal's rule of use (404 seal_use_rule_missing: nobody may use it yet)" })
  @ApiResult('SealUseRuleView')
  @ApiProblems({ 404: [D.sealUseRuleMissing, SealProblemCode.sealNotFound] })
  @RequiresOperation('seals:read')
  getRule(@Param('sealId') sealId: string): Promise<SealUseRuleView> {
    return this.rpc.call(Subjects.seal.documentUseRuleGet, { sealId });
  }

  @Get('seal-use-requests')
  @ApiOperation({ summary: "Seal-use requests one made or may decide (an approver's queue), newest first; ?status=pending" })
  @ApiResult('SealUseRequestPage')
  @RequiresOperation('documents:read')
  list(@Query() q: ListSealUseRequestsDto): Promise<Page<SealUseRequestView>> {
    return this.rpc.call(Subjects.seal.documentUseRequestList, q satisfies ListSealUseRequestsQuery);
  }

  @Get('seal-use-requests/:id')
  @ApiOperation({ summary: 'One seal-use request' })
  @ApiResult('SealUseRequestView')
  @ApiProblems({ 404: [D.sealUseRequestNotFound] })
  @RequiresOperation('documents:read')
  get(@Param('id') id: string): Promise<SealUseRequestView> {
    return this.rpc.call(Subjects.seal.documentUseRequestGet, { id });
  }

  @Post('seal-use-requests/:id/decision')
  @HttpCode(200)
  @ApiOperation({
    summary: '用印审批 — approve or reject a pending seal-use request',
    description:
      "By an approver the seal's rule names (or its administrators when it names none), never the requester (403 seal_use_self_approval). An approval is usable once, for that document's SHA-256 only, for validForMinutes (default 1440). 409 seal_use_request_decided.",
  })
  @ApiResult('SealUseRequestView')
  @ApiProblems({ 403: [D.sealUseSelfApproval, D.sealUseNotPermitted, ProblemCode.forbidden], 404: [D.sealUseRequestNotFound], 409: [D.sealUseRequestDecided] })
  @RequiresOperation('seals:approve-use')
  decide(@Param('id') id: string, @Body() dto: DecideSealUseRequestDto): Promise<SealUseRequestView> {
    return this.rpc.call(Subjects.seal.documentUseRequestDecide, { id, ...dto } satisfies DecideSealUseRequestCommand);
  }
}
